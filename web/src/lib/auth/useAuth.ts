import { useContext } from 'react';
import { AuthContext, type AuthContextValue } from './AuthProvider';

/** The signed-in user, their roles and the sign-in actions. */
export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
