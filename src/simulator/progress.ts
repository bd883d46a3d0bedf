/** What both outputs (files and store) report as they go, and what they produced. */

export interface SimulationProgress {
  phase: 'catalogue' | 'users' | 'interactions';
  /** Days of interactions written so far, out of `days`. */
  day: number;
  days: number;
  interactions: number;
}

export type ProgressListener = (progress: SimulationProgress) => void;

export interface SimulationCounts {
  series: number;
  events: number;
  markets: number;
  users: number;
  interactions: number;
}
