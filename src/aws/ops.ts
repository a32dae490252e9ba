/**
 * What every service's operations class shares: each call's errors translated with the operation
 * named (`iam:GetRole`), and "not found" turned into `undefined` where the caller asks for it.
 */
import { errorName, translateAwsError } from './errors.js';

export abstract class ServiceOps<Client> {
  constructor(
    readonly client: Client,
    /** `iam`, `ecs`, `ec2`: the prefix of operation names in errors. */
    protected readonly service: string,
    protected readonly endpoint?: string,
    /**
     * A client that makes one attempt only, for creates without an idempotency token (see
     * ./once.ts), or how to build it (when first needed: most runs never make such a create).
     */
    private readonly once: Client | (() => Promise<Client>) = client,
    protected readonly attempts = 1,
  ) {}

  private oncePromise?: Promise<Client>;

  /** The one-attempt client. */
  protected onceClient(): Promise<Client> {
    const once = this.once;
    this.oncePromise ??= typeof once === 'function' ? (once as () => Promise<Client>)() : Promise.resolve(once);
    return this.oncePromise;
  }

  protected async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw translateAwsError(`${this.service}:${operation}`, e, this.endpoint);
    }
  }

  /** `fn()`, or undefined when it fails with an error `gone` says means "it does not exist". */
  protected async maybe<T>(operation: string, gone: (e: unknown) => boolean, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (gone(e)) return undefined;
      throw translateAwsError(`${this.service}:${operation}`, e, this.endpoint);
    }
  }
}

/** An error whose name is one of `names` (the SDK's and the wire's spellings). */
export const named =
  (...names: string[]) =>
  (e: unknown): boolean =>
    names.includes(errorName(e));
