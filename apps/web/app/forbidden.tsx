import Link from "next/link";

/** What `forbidden()` renders, with status 403: a signed-in user on an admins' page. */
export default function Forbidden() {
  return (
    <main id="main" className="mx-auto max-w-xl px-4 py-16 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Not allowed</h1>
      <p className="mt-2 text-gray-600" data-testid="forbidden">
        This page is for administrators.
      </p>
      <p className="mt-6">
        <Link href="/generate-images" className="font-medium text-indigo-700 hover:underline">
          Back to Sorami
        </Link>
      </p>
    </main>
  );
}
