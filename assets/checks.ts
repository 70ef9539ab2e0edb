/** Ready-made asset checks. Each returns a plain AssetCheck; write your own for anything else. */
import type { AssetCheck, CheckContext, CheckOutcome } from "./define.ts";

/** The run wrote at least `min` rows (`rows` is the only figure every asset reports). */
export function atLeast(
  figure: "rows",
  min: number,
  severity: AssetCheck["severity"] = "error",
): AssetCheck {
  return {
    name: `${figure}_at_least_${min}`,
    severity,
    description: `the run writes at least ${min} ${figure}`,
    async run(ctx: CheckContext): Promise<CheckOutcome> {
      const value = ctx.result.rows;
      // A scoped run (one ticker, a limit) writes a slice; the floor is for the full partition.
      if (ctx.scope)
        return {
          passed: true,
          value,
          message: `scoped run: ${value} ${figure}, floor not applied`,
        };
      return {
        passed: value >= min,
        value,
        message:
          value >= min
            ? `${value} ${figure} >= ${min}`
            : `only ${value} ${figure}, expected at least ${min}`,
      };
    },
  };
}
