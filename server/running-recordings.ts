// Recordings started through this server that have not finished yet, for the per-namespace and
// per-cluster concurrency limits. An entry ends when the sidecar uploads a finished state, when
// its pod goes away, or at a deadline well past its duration (a sidecar may die mid-recording).

export interface RunningRecording {
  namespace: string;
  pod: string;
  id: string;
  deadline: number;
}

export interface RunningRecordings {
  add(recording: RunningRecording): void;
  finish(id: string): RunningRecording | undefined;
  finishPod(namespace: string, pod: string): void;
  countNamespace(namespace: string): number;
  countAll(): number;
  ids(): string[];
}

export function createRunningRecordings(now: () => number): RunningRecordings {
  const byId = new Map<string, RunningRecording>();
  function prune(): void {
    const time = now();
    for (const [id, recording] of byId) if (recording.deadline <= time) byId.delete(id);
  }
  return {
    add(recording) {
      byId.set(recording.id, recording);
    },
    finish(id) {
      const recording = byId.get(id);
      byId.delete(id);
      return recording;
    },
    finishPod(namespace, pod) {
      for (const [id, recording] of byId) {
        if (recording.namespace === namespace && recording.pod === pod) byId.delete(id);
      }
    },
    countNamespace(namespace) {
      prune();
      return [...byId.values()].filter((recording) => recording.namespace === namespace).length;
    },
    countAll() {
      prune();
      return byId.size;
    },
    ids() {
      prune();
      return [...byId.keys()];
    },
  };
}
