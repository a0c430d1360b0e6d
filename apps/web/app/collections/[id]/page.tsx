import { AppError } from "@sorami/contracts";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { CollectionView } from "@/components/collection-view";
import { SignedInPage } from "@/components/signed-in-page";
import { db } from "@/server/db";
import { getUserCollection } from "@/server/library/collections";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Collection" };

/** One collection: its generations and files, and what can be done with it. Anyone else's is not found. */
export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser(await headers());
  if (!user) {
    redirect("/sign-in");
  }
  const { id } = await params;
  const collection = await getUserCollection(db(), user, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") {
      notFound();
    }
    throw error;
  });
  return (
    <SignedInPage>
      <CollectionView collection={collection} />
    </SignedInPage>
  );
}
