import Link from "next/link";
import { secondaryButtonClass } from "@/components/form-controls";
import { SignedInPage } from "@/components/signed-in-page";

/** The same page whether the generation never existed, was deleted, or is someone else's. */
export default function NotFound() {
  return (
    <SignedInPage title="Generation not found">
      <p data-testid="detail-not-found" className="mt-4 text-gray-700">
        There is no generation here. It may have been deleted.
      </p>
      <Link href="/gallery" className={`${secondaryButtonClass} mt-6`}>
        Go to your gallery
      </Link>
    </SignedInPage>
  );
}
