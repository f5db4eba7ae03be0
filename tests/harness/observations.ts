/** A sink for the app-server bridge's observations that tests can wait on. */
import type { AppServerObservation } from "../../lifecycle/app_server_observations.ts";

type Pred = (o: AppServerObservation) => boolean;

/** Collects observations; `until` resolves when one matches (counting earlier ones). */
export function collector() {
  const seen: AppServerObservation[] = [];
  const waiters: { pred: Pred; resolve: () => void }[] = [];
  return {
    seen,
    sink(o: AppServerObservation) {
      seen.push(o);
      for (const w of waiters.filter((w) => w.pred(o))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    until(pred: Pred): Promise<void> {
      if (seen.some(pred)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    /** Resolves when `n` observations match `pred`. */
    untilCount(pred: Pred, n: number): Promise<void> {
      let count = seen.filter(pred).length;
      if (count >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ pred: (o) => pred(o) && ++count >= n, resolve }));
    },
  };
}
