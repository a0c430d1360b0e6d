import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { getSessionUser } from "@/server/session";
import { AppShell } from "./app-shell";

/** A page for signed-in people only: anyone else goes to sign in. A server component. */
export async function SignedInPage({ title, children }: { title?: string; children: ReactNode }) {
  const user = await getSessionUser(await headers());
  if (!user) {
    redirect("/sign-in");
  }
  return (
    <AppShell user={user}>
      {title ? <h1 className="text-2xl font-semibold tracking-tight">{title}</h1> : null}
      {children}
    </AppShell>
  );
}
