/**
 * Making OCI images without a Docker engine: pack a directory tree (or hand-written entries)
 * into a gzip tar layer, describe it with an image config and a manifest, push it to a
 * registry over the Docker Registry HTTP API v2.
 *
 *   const layer = await packDirectory('/tmp/rootfs', { uid: 0, gid: 0 });
 *   const image = buildImage([layer], { entrypoint: ['/bin/sh'], cmd: ['-c', 'echo hi'] }, 'oci');
 *   await pushImage({ registry: '127.0.0.1:5000', repository: 'tests/sh', tag: 'v1' }, image, { username, password });
 *
 * Used at run time (the agent's image) and by the tests (test/helpers/images.ts).
 */
export { packDirectory, packEntries } from './layer';
export type { Layer, LayerEntry, PackOptions } from './layer';
export { buildImage, MEDIA_TYPES } from './image';
export type { BuiltImage, ImageSettings, ManifestFormat } from './image';
export { pushImage } from './push';
export type { PushTarget } from './push';
