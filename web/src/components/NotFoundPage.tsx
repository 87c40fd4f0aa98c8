import { Link } from '../lib/router';

export function NotFoundPage({ message }: { message: string }) {
  return (
    <div className="page">
      <div className="panel state-box">
        <h2>Not here</h2>
        <p>{message}</p>
        <Link to="/">Back to competitions</Link>
      </div>
    </div>
  );
}
