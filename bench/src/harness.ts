import { Bench } from 'tinybench'

/** One function to time. */
export interface Case {
  readonly name: string
  readonly fn: () => unknown
}

export interface RoundOptions {
  readonly rounds: number
  /** Milliseconds each case runs per round. */
  readonly time: number
  /** Milliseconds of warm-up per case per round. */
  readonly warmupTime: number
}

/**
 * Times every case in `rounds` interleaved rounds (the order rotates each round), so that a noisy
 * neighbour slows all cases of a round alike. Returns, per case, its mean latency in ns for each round.
 */
export async function interleaved(
  cases: readonly Case[],
  options: RoundOptions,
): Promise<Map<string, number[]>> {
  const results = new Map<string, number[]>(cases.map((item) => [item.name, []]))
  for (let round = 0; round < options.rounds; round++) {
    const bench = new Bench({ time: options.time, warmupTime: options.warmupTime, iterations: 8 })
    const order = cases.map((_, index) => cases[(index + round) % cases.length]!)
    for (const item of order) bench.add(item.name, item.fn)
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.state === 'errored') throw result.error
      if (result.state !== 'completed') throw new Error(`benchmark "${task.name}" did not complete`)
      results.get(task.name)!.push(result.latency.mean * 1e6)
    }
  }
  return results
}
