/** REDIS_URL is set but the Redis client BullMQ needs is not installed (BullMQ 6 no longer brings it). */
export class RedisClientMissingError extends Error {
  constructor(cause: unknown) {
    super("REDIS_URL is set, but the ioredis package is not installed: run `npm install ioredis` (BullMQ needs it to reach Redis)", {
      cause,
    });
    this.name = "RedisClientMissingError";
  }
}
