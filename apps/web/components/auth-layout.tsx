import type { ReactNode } from "react";

export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <p className="mb-8 text-lg font-semibold tracking-tight text-indigo-700">Sorami</p>
      <div className="w-full max-w-md rounded-xl border border-gray-200 bg-white px-6 py-8 shadow-sm sm:px-10">
        {children}
      </div>
    </main>
  );
}
