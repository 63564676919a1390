// The npm aliases of older phoenix.js versions (devDependencies of the server) have no types of their
// own; their API is the one `@types/phoenix` describes for `phoenix`.

declare module 'phoenix-1-5' {
  // A webpack UMD bundle: Node's ESM loader sees only `module.exports`, as the default export.
  const phoenix: typeof import('phoenix');
  export default phoenix;
}

declare module 'phoenix-1-6' {
  export * from 'phoenix';
}

declare module 'phoenix-1-7' {
  export * from 'phoenix';
}
