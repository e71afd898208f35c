/**
 * The folder paved's code runs from: dist/ once built, the repository under the
 * tests, which run the TypeScript sources. The files paved ships (schemas,
 * templates, the prebuilt validators, the build identity) are found from here,
 * never from a module's own place: bin/paved.js runs the bundle in
 * dist/bundle/ (package.json `build`), which keeps no module's place but sits,
 * like this module, one folder below it.
 */
export const CODE_ROOT: URL = new URL('../', import.meta.url);

/** A file of paved's, by its path from the code root (`spec/validators.cjs`, `../package.json`). */
export const shipped = (path: string): URL => new URL(path, CODE_ROOT);
