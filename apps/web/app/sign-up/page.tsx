import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { AuthLayout } from "@/components/auth-layout";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Sign up" };

export default async function Page() {
  if (await getSessionUser(await headers())) {
    redirect("/generate-images");
  }
  return (
    <AuthLayout>
      <AuthForm mode="sign-up" />
    </AuthLayout>
  );
}
