/** A user mistake: printed as one line plus the usage, exit code 2 (the library rejects with it). */
export class UsageError extends Error {}
