/** A fault injected into matching requests. */
export interface FaultRule {
  /** Matches the request path (without query). A string matches as a substring. */
  path?: RegExp | string;
  /** HTTP method(s), e.g. `'GET'` or `['PUT', 'PATCH']`. */
  method?: string | string[];
  /** Delay before the request is handled (applies to every matching request). */
  latencyMs?: number;
  /** Error status to answer with: 500 InternalError, 503 ServiceUnavailable, 429 TooManyRequests, or any code. */
  status?: number;
  /** `Retry-After` seconds for 429/503 (default 1). */
  retryAfterSeconds?: number;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
  /** Probability (0..1) that `status`/`drop` applies to a matching request (default 1). */
  rate?: number;
  /** Only the next N matching requests are affected; the rule then removes itself. */
  times?: number;
}

/** What the server must do for one request. */
export interface FaultDecision {
  latencyMs: number;
  status?: number;
  retryAfterSeconds?: number;
  drop?: boolean;
}

/** Handle returned by {@link Faults.add}. */
export interface FaultHandle {
  remove(): void;
  /** How many requests this rule affected so far. */
  readonly hits: number;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  hits: number;
}

/** Registry of injected faults, evaluated for every request. */
export class Faults {
  private rules: ActiveRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a rule; rules are evaluated in order and their effects combine. */
  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = {
      rule,
      remaining: rule.times ?? Infinity,
      hits: 0,
    };
    this.rules.push(active);
    return {
      remove: () => {
        this.rules = this.rules.filter(r => r !== active);
      },
      get hits() {
        return active.hits;
      },
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** @internal */
  decide(method: string, path: string): FaultDecision {
    const out: FaultDecision = { latencyMs: 0 };
    for (const a of [...this.rules]) {
      const { rule } = a;
      if (!matches(rule, method, path)) continue;
      const errorApplies =
        (rule.status !== undefined || rule.drop) &&
        out.status === undefined &&
        !out.drop &&
        this.random() < (rule.rate ?? 1);
      if (!rule.latencyMs && !errorApplies) continue;
      a.hits++;
      out.latencyMs += rule.latencyMs ?? 0;
      if (errorApplies) {
        if (rule.drop) out.drop = true;
        else {
          out.status = rule.status;
          out.retryAfterSeconds = rule.retryAfterSeconds;
        }
      }
      if (--a.remaining <= 0) this.rules = this.rules.filter(r => r !== a);
    }
    return out;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method) {
    const methods = (
      Array.isArray(rule.method) ? rule.method : [rule.method]
    ).map(m => m.toUpperCase());
    if (!methods.includes(method)) return false;
  }
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string'
    ? path.includes(rule.path)
    : rule.path.test(path);
}
