import type { ReactNode } from 'react';

/** The loading, empty and error states every list and page shows. */
export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state-box compact" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state-box">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorState({ title, message }: { title: string; message: string }) {
  return (
    <div className="callout callout-error" role="alert">
      <strong>{title}</strong>
      <span>{message}</span>
    </div>
  );
}

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}
