import { AppError } from "@sorami/contracts";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { GenerationDetailView } from "@/components/generation-detail";
import { SignedInPage } from "@/components/signed-in-page";
import { catalog } from "@/server/catalog";
import { db } from "@/server/db";
import { getGenerationDetail } from "@/server/jobs/read";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Generation" };

/**
 * One generation of either kind (notifications link here by job id). A job
 * that is not the reader's — someone else's, deleted or never made — is the
 * same not-found page: the page never confirms that an id exists.
 */
export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser(await headers());
  if (!user) {
    redirect("/sign-in");
  }
  const { id } = await params;
  let detail: Awaited<ReturnType<typeof getGenerationDetail>>;
  try {
    detail = await getGenerationDetail(db(), user, null, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      notFound();
    }
    throw error;
  }
  return (
    <SignedInPage>
      <GenerationDetailView
        detail={detail}
        models={
          await catalog()
            .models()
            .catch(() => null)
        }
      />
    </SignedInPage>
  );
}
