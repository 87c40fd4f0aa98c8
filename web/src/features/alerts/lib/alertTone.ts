/**
 * The optional alarm for critical alerts: a short two-tone beep from Web Audio. Off by
 * default; the choice is kept in localStorage per browser.
 */
import { useCallback, useSyncExternalStore } from 'react';

export const TONE_SETTING_KEY = 'vmpool.criticalTone';
const CHANGE_EVENT = 'vmpool:tone-setting';

function readSetting(): boolean {
  try {
    return window.localStorage.getItem(TONE_SETTING_KEY) === 'on';
  } catch {
    return false;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('storage', onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener('storage', onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

export function useCriticalToneSetting(): [boolean, (enabled: boolean) => void] {
  const enabled = useSyncExternalStore(subscribe, readSetting, () => false);
  const setEnabled = useCallback((value: boolean) => {
    try {
      window.localStorage.setItem(TONE_SETTING_KEY, value ? 'on' : 'off');
    } catch {
      // Private mode without storage: the setting lasts for this page only.
    }
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }, []);
  return [enabled, setEnabled];
}

let audioContext: AudioContext | null = null;

/** Plays the alarm; browsers only allow sound after the user has interacted with the page. */
export function playCriticalTone(): void {
  const AudioContextClass = window.AudioContext as typeof AudioContext | undefined;
  if (AudioContextClass === undefined) return;
  audioContext ??= new AudioContextClass();
  const context = audioContext;
  void context.resume().catch(() => undefined);
  const start = context.currentTime;
  [880, 660, 880].forEach((frequency, index) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequency;
    const at = start + index * 0.22;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.21);
  });
}
