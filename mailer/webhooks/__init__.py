"""Provider webhooks for bounces and complaints: SES via SNS, SendGrid, Mailgun, Postmark, ours."""
