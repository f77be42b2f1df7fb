/**
 * What a worker counts per response when --admin is on: plain numbers,
 * bumped on the hot path; prom-client objects read them only when scraped
 * (metrics/worker.ts).
 */
export class ResponseCounters {
  /** Responses by status code (index = code). */
  readonly byStatus = new Float64Array(600);
  /** Body bytes sent (a transfer adds its bytes when it ends). */
  bytes = 0;
  /** Responses still sending after their handler returned. */
  transfers = 0;

  /** Status codes with a non-zero count, and their counts. */
  listStatuses(): Array<[code: number, count: number]> {
    const out: Array<[number, number]> = [];
    for (let code = 100; code < this.byStatus.length; code++) {
      if (this.byStatus[code] > 0) out.push([code, this.byStatus[code]]);
    }
    return out;
  }
}
