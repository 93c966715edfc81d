namespace Hydra.Core.Notifications;

/// <summary>Delivery of notifications (<c>Hydra:Notifications</c>): workers, retries, SMTP, RunCommand.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Hydra:Notifications";

    /// <summary>Run the delivery workers in this process (default on in processes with the queue role).</summary>
    public bool Deliver { get; set; } = true;

    /// <summary>The farm's public address, for links in messages and forge statuses.</summary>
    public string BaseUrl { get; set; } = "http://localhost:3000";

    /// <summary>How often the workers look for due deliveries when the last round found none.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries sent at once by one process.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Deliveries taken per round.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>How long a taken delivery stays with its worker; after that (a crash) another worker sends it again.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts before a delivery is marked failed (retryable from /admin/notifications).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Wait after the first failed attempt; doubled per attempt, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Time limit of one HTTP request to a webhook or forge.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time limit of a RunCommand; the command's process tree is killed after it.</summary>
    public TimeSpan RunCommandTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Output of a RunCommand kept for the build page (the end is kept when it is longer).</summary>
    public int RunCommandMaxOutput { get; set; } = 256 * 1024;

    public SmtpSettings Smtp { get; set; } = new();

    public RetentionSettings Retention { get; set; } = new();

    /// <summary>Where email goes out (<c>Hydra:Notifications:Smtp</c>).</summary>
    public sealed class SmtpSettings
    {
        public string Host { get; set; } = "localhost";
        public int Port { get; set; } = 25;
        public bool EnableSsl { get; set; }
        public string? UserName { get; set; }
        public string? Password { get; set; }
        public string From { get; set; } = "hydra@localhost";
    }

    /// <summary>
    /// How long the outbox keeps what is done (<c>Hydra:Notifications:Retention</c>). Pending deliveries and events
    /// not yet fanned out are never pruned. A zero or negative age keeps those rows for ever.
    /// </summary>
    public sealed class RetentionSettings
    {
        /// <summary>Delivered (or skipped) deliveries older than this, counted from delivery, are deleted.</summary>
        public TimeSpan Delivered { get; set; } = TimeSpan.FromDays(30);

        /// <summary>Failed deliveries older than this, counted from their last attempt, are deleted: longer, so someone can look.</summary>
        public TimeSpan Failed { get; set; } = TimeSpan.FromDays(90);

        /// <summary>How often the delivery loop prunes.</summary>
        public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Rows deleted per statement, so no statement holds its locks for long.</summary>
        public int BatchSize { get; set; } = 1000;
    }
}
