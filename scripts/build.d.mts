/** Types for scripts/build.mjs (plain JavaScript so `npm start` needs no TypeScript loader to build). */
export declare const DIST: string;
export declare function isFresh(): Promise<boolean>;
export declare function build(): Promise<number>;
export declare function ensureBuilt(): Promise<void>;
