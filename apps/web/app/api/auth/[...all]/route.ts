// GET|POST /api/auth/* – better-auth: sign-up, sign-in, sign-out, sessions, organizations
import { handleAuthRequest } from "@/server/http/auth-route";

export const GET = handleAuthRequest;
export const POST = handleAuthRequest;
