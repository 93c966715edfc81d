using System.Net;
using System.Net.Mail;
using System.Text;
using Microsoft.Extensions.Options;

namespace Hydra.Core.Notifications.Sinks;

/// <summary>
/// Email when a build's status changes (Hydra's EmailNotification rule, <see cref="NotificationText.StatusChanged"/>),
/// or for evaluation events the sink subscribes to. Recipients: the sink's <c>to</c>, else the jobset's email
/// override, else the build's maintainers. Sent through <c>Hydra:Notifications:Smtp</c> with System.Net.Mail
/// (MailKit is not restorable here).
/// </summary>
public sealed class EmailSink(IOptions<NotificationOptions> options) : INotificationSink
{
    public string Kind => NotificationSinkKinds.Email;

    public async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Event.Kind == NotificationEventKinds.BuildFinished && !NotificationText.StatusChanged(delivery))
        {
            return DeliveryResult.Skipped("Status unchanged.");
        }
        var recipients = Recipients(delivery);
        if (recipients.Count == 0)
        {
            return DeliveryResult.Skipped("No recipients: no override, and the build names no maintainers.");
        }
        var smtp = options.Value.Smtp;
        using var message = new MailMessage
        {
            From = new MailAddress(smtp.From),
            Subject = NotificationText.Summary(delivery),
            Body = Body(delivery),
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,
        };
        foreach (var recipient in recipients)
        {
            message.To.Add(recipient);
        }
        message.Headers.Add("X-Hydra-Project", delivery.Project);
        message.Headers.Add("X-Hydra-Jobset", delivery.Jobset);
        using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl };
        if (smtp.UserName is { Length: > 0 } user)
        {
            client.Credentials = new NetworkCredential(user, smtp.Password);
        }
        try
        {
            await client.SendMailAsync(message, cancellationToken);
            return DeliveryResult.Delivered;
        }
        catch (SmtpException exception)
        {
            // Mailbox and syntax errors (5xx) will not pass; everything else (connection, 4xx) may.
            return (int)exception.StatusCode is >= 500 and < 600 and not 554
                ? DeliveryResult.Fatal($"SMTP {(int)exception.StatusCode}: {exception.Message}")
                : DeliveryResult.Retry($"SMTP: {exception.Message}");
        }
    }

    /// <summary>The addresses to write to, in order, each once.</summary>
    public static IReadOnlyList<MailAddress> Recipients(DeliveryContext delivery)
    {
        var source = delivery.Sink.Get("to") ?? (delivery.EmailOverride.Length > 0 ? delivery.EmailOverride : delivery.Build?.Maintainers) ?? "";
        return source.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => MailAddress.TryCreate(text, out var address) ? address : null)
            .OfType<MailAddress>()
            .DistinctBy(a => a.Address, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static string Body(DeliveryContext delivery)
    {
        var body = new StringBuilder();
        body.Append(NotificationText.Summary(delivery)).Append("\n\n");
        if (delivery.Build is { } build)
        {
            body.Append("Job:     ").Append(delivery.FullJobName).Append('\n')
                .Append("Status:  ").Append(BuildStatus.Describe(build.Status, build.Finished)).Append('\n')
                .Append("System:  ").Append(build.System).Append('\n')
                .Append("Drv:     ").Append(build.DrvPath).Append('\n');
            if (build.PreviousStatus is { } previous)
            {
                body.Append("Before:  ").Append(BuildStatus.Describe(previous, finished: true)).Append('\n');
            }
        }
        if (delivery.Event.Message is { } message)
        {
            body.Append('\n').Append(message).Append('\n');
        }
        body.Append('\n').Append(NotificationText.Link(delivery)).Append('\n');
        return body.ToString();
    }
}
