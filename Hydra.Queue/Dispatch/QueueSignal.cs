using Hydra.Core.Notifications;

namespace Hydra.Queue.Dispatch;

/// <summary>Wakes long-polling claims when steps may have become runnable (pulsed by <see cref="QueueListener"/>).</summary>
public sealed class QueueSignal : AsyncSignal;
