export function ProgressBar({ value, failed, label }: { value: number; failed?: boolean; label: string }) {
  const clamped = Math.min(100, Math.max(0, Math.round(value)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped}
      aria-valuetext={`${clamped}%`}
      data-testid="job-progress"
      className="h-2.5 w-full overflow-hidden rounded-full bg-gray-200"
    >
      <div
        className={`h-full rounded-full motion-safe:transition-[width] motion-safe:duration-500 motion-safe:ease-out ${failed ? "bg-red-600" : "bg-indigo-600"}`}
        style={{ width: `${clamped}%` }}
      />
    </div>
  );
}
