import type { Metadata } from "next";
import { GalleryList } from "@/components/gallery-list";
import { SignedInPage } from "@/components/signed-in-page";
import { parseGalleryQuery } from "@/lib/gallery-query";

export const metadata: Metadata = { title: "Gallery" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { kind, status, ...search } = parseGalleryQuery(await searchParams);
  return (
    <SignedInPage title="Gallery">
      <GalleryList key={JSON.stringify([kind, status, search])} kind={kind} status={status} search={search} />
    </SignedInPage>
  );
}
