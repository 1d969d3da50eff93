/**
 * Heap taken by the shipped statement library and the matcher built over it (one-off figures for
 * bench/README.md): `node --expose-gc --import tsx bench/library-memory.ts`.
 */
import { shippedMatcher } from '../src/classify/index.ts';
import { shippedLibrary } from '../src/classify/statements/load.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const heap = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};
const h0 = heap();
const { library } = shippedLibrary();
const h1 = heap();
shippedMatcher();
const h2 = heap();
let sites = 0;
for (const s of library.statements) sites += s.sites.length;
const mb = (b: number): string => (b / 1e6).toFixed(1);
console.log(
  `statements ${library.statements.length}, sites ${sites}: library ${mb(h1 - h0)} MB, matcher +${mb(h2 - h1)} MB of heap`,
);
