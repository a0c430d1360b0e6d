import { AppError } from "@sorami/contracts";
import { GeneratorContractError, GeneratorRefused } from "../generator-client";

/**
 * A generator call made for an admin: its failures become the one error an
 * admin reads (503: the generator is away or answered oddly).
 */
export async function askGenerator<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asAppError(error);
  }
}

/** A generator call's failure, as the admin reads it (also kept beside an answer that is complete without it). */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) {
    return error;
  }
  if (error instanceof GeneratorRefused) {
    return new AppError(
      "unavailable",
      `The generator answered ${error.status}${error.reason ? `: ${error.reason}` : ""}`,
    );
  }
  if (error instanceof GeneratorContractError) {
    return new AppError("unavailable", "The generator's answer did not match its contract (mismatched versions?)");
  }
  return new AppError("unavailable", "The generator is unreachable; try again shortly");
}
