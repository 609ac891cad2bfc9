// Docker-style generated names ("brave_turing") for containers created without --name.
const adjectives = ['admiring', 'brave', 'busy', 'calm', 'clever', 'eager', 'focused', 'gentle', 'happy', 'jolly',
  'keen', 'lucid', 'modest', 'nifty', 'quirky', 'serene', 'sharp', 'stoic', 'tender', 'vibrant', 'wizardly', 'zen'];
const surnames = ['babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'feynman', 'hopper', 'kepler', 'knuth',
  'lamport', 'lovelace', 'mccarthy', 'noether', 'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const name = `/${pick(adjectives)}_${pick(surnames)}${i > 5 ? Math.floor(Math.random() * 100) : ''}`;
    if (!taken(name)) return name;
  }
}

const valid = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's rule for user-chosen names; returns the stored form with its leading slash. */
export function checkName(name: string): string | undefined {
  return valid.test(name) ? (name.startsWith('/') ? name : `/${name}`) : undefined;
}
