import type { ImageFallback } from './image-store';

/**
 * The embedded simulator's image settings from the daemon's environment:
 * SOCKERLESS_SIM_IMAGE_FALLBACK (`host`, the default, or `error`) and
 * SOCKERLESS_SIM_IMAGE_CACHE_BYTES (the layer cache's bound).
 */
export function simulatorImagesFromEnv(env: NodeJS.ProcessEnv): { imageFallback?: ImageFallback; imageCacheBytes?: number } {
  const fallback = env.SOCKERLESS_SIM_IMAGE_FALLBACK;
  const bytes = env.SOCKERLESS_SIM_IMAGE_CACHE_BYTES;
  if (fallback !== undefined && fallback !== 'host' && fallback !== 'error') {
    throw new Error(`SOCKERLESS_SIM_IMAGE_FALLBACK must be host or error, got '${fallback}'`);
  }
  if (bytes !== undefined && !/^\d+$/.test(bytes)) throw new Error(`SOCKERLESS_SIM_IMAGE_CACHE_BYTES must be a number of bytes, got '${bytes}'`);
  return {
    ...(fallback !== undefined && { imageFallback: fallback }),
    ...(bytes !== undefined && { imageCacheBytes: Number(bytes) }),
  };
}
