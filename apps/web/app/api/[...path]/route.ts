// * /api/{anything else} – a JSON 404, so an API client never gets the HTML not-found page
import { AppError } from "@sorami/contracts";
import { withErrors } from "@/server/http/handler";

const notFound = withErrors(async () => {
  throw new AppError("not_found", "No such API endpoint");
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
