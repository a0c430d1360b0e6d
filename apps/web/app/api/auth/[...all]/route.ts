// GET|POST /api/auth/* – better-auth: sign-up, sign-in, sign-out, sessions, organizations
import { handleAuthRequest } from "@/server/auth";

export const GET = handleAuthRequest;
export const POST = handleAuthRequest;
