/** @module identity/i18n/de — the sign-in pages in German (terms: web glossary `de.json`). */
import type { Catalog } from './en.js';

export const de: Catalog = {
  'signIn.title': 'Anmelden',
  'signIn.intro': 'Verwenden Sie Ihr Organisationskonto, um mit {client} fortzufahren.',
  'signIn.agentClient': 'der Remote Help-App',
  'signIn.email': 'E-Mail',
  'signIn.password': 'Kennwort',
  'signIn.submit': 'Anmelden',
  'signIn.or': 'oder',
  'signIn.passkey': 'Mit einem Passkey anmelden',
  'signIn.foot':
    'Dieses Konto wird von Ihrer Organisation verwaltet. Remote Help gibt Ihr Kennwort nie an Helfer weiter.',
  'signIn.missingFields': 'Geben Sie Ihre E-Mail-Adresse und Ihr Kennwort ein.',
  'signIn.wrongPassword': 'E-Mail-Adresse oder Kennwort ist falsch.',
  'signIn.wrongPasswordWait': 'E-Mail-Adresse oder Kennwort ist falsch. Versuchen Sie es in {duration} erneut.',
  'signIn.disabled': 'Ihr Konto ist deaktiviert. Wenden Sie sich an Ihren Administrator.',
  'signIn.tooManyAttempts': 'Zu viele Versuche. Versuchen Sie es in {duration} erneut.',
  'expired.title': 'Anmeldung abgelaufen',
  'expired.heading': 'Diese Anmeldeseite ist abgelaufen',
  'expired.startAgain': 'Neu beginnen',
  'providerError.title': 'Anmeldefehler',
  'providerError.heading': 'Problem bei der Anmeldung',
  'common.backToRemoteHelp': 'Zurück zu Remote Help',
  'mfa.title': 'Code eingeben',
  'mfa.intro': 'Geben Sie den 6-stelligen Code aus Ihrer Authentifikator-App ein.',
  'mfa.code': 'Code',
  'mfa.recoveryHint': 'Telefon verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.',
  'mfa.verify': 'Überprüfen',
  'mfa.usePasskey': 'Passkey verwenden',
  'mfa.passkeyTitle': 'Passkey verwenden',
  'mfa.passkeyIntro':
    'Bestätigen Sie Ihre Identität mit einem Passkey, den Sie Ihrem Konto hinzugefügt haben (Telefon, Sicherheitsschlüssel oder dieses Gerät).',
  'mfa.codeMissing': 'Geben Sie den Code aus Ihrer Authentifikator-App ein.',
  'mfa.codeWrong': 'Dieser Code ist falsch oder wurde bereits verwendet.',
  'mfa.codeWrongWait': 'Dieser Code ist falsch oder wurde bereits verwendet. Versuchen Sie es in {duration} erneut.',
  'newPassword.title': 'Kennwort ändern',
  'newPassword.intro': 'Ihr Administrator bittet Sie, vor dem Fortfahren ein neues Kennwort festzulegen.',
  'newPassword.label': 'Neues Kennwort',
  'newPassword.minLength': {
    one: 'Verwenden Sie mindestens {count} Zeichen.',
    other: 'Verwenden Sie mindestens {count} Zeichen.',
  },
  'newPassword.commonRefused': 'Gängige Kennwörter aus Listen gestohlener Kennwörter werden abgelehnt.',
  'newPassword.confirm': 'Kennwort bestätigen',
  'newPassword.mismatch': 'Die beiden Kennwörter stimmen nicht überein.',
  'newPassword.common': 'Dieses Kennwort ist zu verbreitet: Es steht in Listen gestohlener Kennwörter.',
  'passkey.cancelled': 'Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen. Versuchen Sie es erneut.',
  'passkey.failed':
    'Ihr Browser konnte hier keinen Passkey verwenden. Versuchen Sie es erneut, oder melden Sie sich auf andere Weise an.',
  'passkey.unsupported': 'Dieser Browser unterstützt keine Passkeys.',
  'passkey.malformed': 'Ihr Browser hat nicht mit einem Passkey geantwortet. Versuchen Sie es erneut.',
  'passkey.challenge': 'Diese Passkey-Anfrage ist abgelaufen oder wurde bereits verwendet. Versuchen Sie es erneut.',
  'passkey.origin': 'Diese Passkey-Antwort wurde für eine andere Website erstellt.',
  'passkey.rp_id': 'Dieser Passkey gehört zu einer anderen Website.',
  'passkey.unknown_credential':
    'Dieser Passkey ist bei Remote Help nicht registriert. Melden Sie sich mit Ihrem Kennwort an.',
  'passkey.other_account': 'Dieser Passkey gehört zu einem anderen Konto.',
  'passkey.user_verification':
    'Ihr Passkey hat nicht bestätigt, dass Sie es sind (PIN oder Biometrie). Versuchen Sie es erneut.',
  'passkey.counter':
    'Der Signaturzähler dieses Passkeys ist zurückgegangen; er wurde möglicherweise kopiert. Er wurde nicht akzeptiert. Wenden Sie sich an Ihren Administrator.',
  'passkey.signature': 'Die Signatur des Passkeys ist ungültig.',
  'passkey.already_added': 'Dieser Passkey wurde bereits hinzugefügt.',
  'gate.setupTitle': 'Mehrstufige Authentifizierung einrichten',
  'gate.setupIntro':
    'Ihre Organisation verlangt für diese App eine zweite Möglichkeit, Ihre Identität nachzuweisen. Das dauert nur eine Minute.',
  'gate.stepInstall':
    'Installieren Sie eine Authentifikator-App auf Ihrem Telefon (Microsoft Authenticator, Google Authenticator oder eine andere).',
  'gate.stepScan': 'Scannen Sie damit den QR-Code.',
  'gate.stepCode': 'Geben Sie den 6-stelligen Code ein, den die App anzeigt.',
  'gate.qrAlt': 'QR-Code für Ihre Authentifikator-App',
  'gate.cantScan': 'Scannen nicht möglich? Geben Sie diesen Schlüssel in der App ein:',
  'gate.sameEntry': 'Verwenden Sie den Eintrag, den Sie gerade in Ihrer Authentifikator-App hinzugefügt haben.',
  'gate.codeLabel': 'Code aus der App',
  'gate.codeWrong': 'Dieser Code ist falsch. Geben Sie den 6-stelligen Code ein, den die App jetzt anzeigt.',
  'gate.setupReplaced': 'Diese Einrichtung wurde ersetzt. Beginnen Sie neu.',
  'gate.recoveryTitle': 'Wiederherstellungscodes speichern',
  'gate.recoveryIntro':
    'Ihre Authentifikator-App ist eingerichtet. Wenn Sie Ihr Telefon verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Bewahren Sie sie sicher auf; sie werden nicht noch einmal angezeigt.',
  'gate.continue': 'Weiter',
  'gate.blockedTitle': 'Sie haben gerade keinen Zugriff darauf',
  'gate.blockedBy': 'Blockiert durch die Richtlinie für bedingten Zugriff Ihrer Organisation: {policies}.',
  'gate.policyName': '„{name}“',
  'gate.advice.block':
    'Ihre Organisation erlaubt Ihnen nicht, sich hier bei dieser App anzumelden. Wenn Sie sie benötigen, wenden Sie sich an Ihren IT-Administrator.',
  'gate.advice.mfa':
    'Ihre Organisation verlangt für diese App die mehrstufige Authentifizierung. Ihr IT-Administrator kann Ihnen bei der Einrichtung helfen.',
  'gate.advice.compliantDevice': 'Ihre Organisation verlangt für diese App ein konformes Gerät.',
  'gate.advice.enrolledDevice':
    'Ihre Organisation verlangt für diese App ein in Ihrer Organisation registriertes Gerät.',
  'gate.advice.signInFrequency': 'Ihre Organisation bittet Sie, sich erneut anzumelden.',
  'federation.emailIntro':
    'Geben Sie Ihre geschäftliche E-Mail-Adresse ein. Wenn Ihre Organisation Sie selbst anmeldet, werden Sie dorthin weitergeleitet.',
  'federation.next': 'Weiter',
  'federation.emailMissing': 'Geben Sie Ihre E-Mail-Adresse ein.',
  'federation.refusedTitle': 'Anmeldung abgelehnt',
  'federation.refusedHeading': 'Wir konnten Sie nicht anmelden',
  'federation.errorCode': 'Fehlercode: {code}',
  'federation.testTitle': 'Testanmeldung',
  'federation.testHeading': 'Testanmeldung: {provider}',
  'federation.testIntro': 'Niemand wurde angemeldet, und nichts wurde geändert.',
  'federation.testOk': 'Die Anmeldung funktioniert. Diese Person würde wie angezeigt angemeldet.',
  'federation.testClaims': 'Ansprüche aus dem ID-Token',
  'federation.error.federation_expired': 'Diese Anmeldeseite ist abgelaufen. Beginnen Sie neu.',
  'federation.error.federation_email_missing':
    '{provider} hat keine E-Mail-Adresse gesendet (Anspruch „{claim}“). Bitten Sie Ihren Administrator, die Anspruchszuordnung zu prüfen.',
  'federation.error.federation_email_outside_domains':
    '{email} gehört zu keiner Domäne dieser Organisation ({domains}).',
  'federation.error.federation_email_unverified_domain':
    '{email} gehört zu keiner überprüften Domäne dieser Organisation.',
  'federation.error.federation_email_taken': '{email} gehört bereits zu einem anderen Konto.',
  'federation.error.federation_account_disabled': 'Ihr Konto ist deaktiviert. Wenden Sie sich an Ihren Administrator.',
  'federation.error.federation_signature_invalid': 'Das Anmeldetoken von {provider} hat eine ungültige Signatur.',
  'federation.error.federation_issuer_mismatch':
    'Das Anmeldetoken wurde nicht vom konfigurierten Aussteller von {provider} ausgestellt.',
  'federation.error.federation_audience_mismatch':
    'Das Anmeldetoken von {provider} war für eine andere Anwendung bestimmt.',
  'federation.error.federation_token_expired':
    'Das Anmeldetoken von {provider} ist abgelaufen. Versuchen Sie es erneut.',
  'federation.error.federation_nonce_mismatch':
    'Das Anmeldetoken von {provider} gehört nicht zu dieser Anmeldung (Nonce).',
  'federation.error.federation_state_mismatch':
    'Diese Anmeldeantwort gehört zu keiner Anmeldung, die in diesem Browser begonnen wurde (State).',
  'federation.error.federation_state_replayed':
    'Diese Anmeldeantwort wurde bereits verwendet oder ist abgelaufen. Beginnen Sie neu.',
  'federation.error.federation_provider_error': '{provider} hat die Anmeldung abgelehnt: {detail}.',
  'federation.error.federation_provider_unreachable': '{provider} ist nicht erreichbar oder falsch konfiguriert.',
  'federation.error.federation_provider_missing': 'Dieser Identitätsanbieter existiert nicht mehr.',
  'federation.error.federation_failed': 'Die Anmeldung mit {provider} ist fehlgeschlagen: {detail}.',
  'federation.error.forbidden_manage': 'Ihre Rolle erlaubt Ihnen nicht, Identitätsanbieter zu verwalten.',
  'federation.error.forbidden_test': 'Melden Sie sich beim Admin Center an, um einen Anbieter zu testen.',
  'federation.error.not_found': 'Identitätsanbieter nicht gefunden.',
  'signOut.title': 'Abmelden',
  'signOut.question': 'Möchten Sie sich von Remote Help abmelden?',
  'signOut.yes': 'Ja, abmelden',
  'signOut.no': 'Nein, angemeldet bleiben',
  'signOut.doneTitle': 'Abgemeldet',
  'signOut.done': 'Sie sind von Remote Help abgemeldet.',
};
