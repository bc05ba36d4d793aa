/** @module identity/i18n/nl — the sign-in pages in Dutch (terms: web glossary `nl.json`). */
import type { Catalog } from './en.js';

export const nl: Catalog = {
  'signIn.title': 'Aanmelden',
  'signIn.intro': 'Gebruik het account van uw organisatie om door te gaan naar {client}.',
  'signIn.agentClient': 'de Remote Help-app',
  'signIn.email': 'E-mailadres',
  'signIn.password': 'Wachtwoord',
  'signIn.submit': 'Aanmelden',
  'signIn.or': 'of',
  'signIn.passkey': 'Aanmelden met een wachtwoordsleutel',
  'signIn.foot': 'Uw organisatie beheert dit account. Remote Help deelt uw wachtwoord nooit met helpers.',
  'signIn.missingFields': 'Voer uw e-mailadres en wachtwoord in.',
  'signIn.wrongPassword': 'Onjuist e-mailadres of wachtwoord.',
  'signIn.wrongPasswordWait': 'Onjuist e-mailadres of wachtwoord. Probeer het over {duration} opnieuw.',
  'signIn.disabled': 'Uw account is uitgeschakeld. Neem contact op met uw beheerder.',
  'signIn.tooManyAttempts': 'Te veel pogingen. Probeer het over {duration} opnieuw.',
  'expired.title': 'Aanmelding verlopen',
  'expired.heading': 'Deze aanmeldingspagina is verlopen',
  'expired.startAgain': 'Opnieuw beginnen',
  'providerError.title': 'Aanmeldingsfout',
  'providerError.heading': 'Probleem bij het aanmelden',
  'common.backToRemoteHelp': 'Terug naar Remote Help',
  'mfa.title': 'Code invoeren',
  'mfa.intro': 'Voer de 6-cijferige code in die in uw verificator-app wordt weergegeven.',
  'mfa.code': 'Code',
  'mfa.recoveryHint': 'Telefoon kwijt? Voer in plaats daarvan een van uw herstelcodes in.',
  'mfa.verify': 'Verifiëren',
  'mfa.usePasskey': 'Een wachtwoordsleutel gebruiken',
  'mfa.passkeyTitle': 'Uw wachtwoordsleutel gebruiken',
  'mfa.passkeyIntro':
    'Bevestig dat u het bent met een wachtwoordsleutel die u aan uw account hebt toegevoegd (uw telefoon, beveiligingssleutel of dit apparaat).',
  'mfa.codeMissing': 'Voer de code uit uw verificator-app in.',
  'mfa.codeWrong': 'Deze code is onjuist of al gebruikt.',
  'mfa.codeWrongWait': 'Deze code is onjuist of al gebruikt. Probeer het over {duration} opnieuw.',
  'newPassword.title': 'Uw wachtwoord bijwerken',
  'newPassword.intro': 'Uw beheerder vraagt u een nieuw wachtwoord te kiezen voordat u verdergaat.',
  'newPassword.label': 'Nieuw wachtwoord',
  'newPassword.minLength': {
    one: 'Gebruik minstens {count} teken.',
    other: 'Gebruik minstens {count} tekens.',
  },
  'newPassword.commonRefused': 'Veelgebruikte wachtwoorden uit lijsten met gelekte wachtwoorden worden geweigerd.',
  'newPassword.confirm': 'Wachtwoord bevestigen',
  'newPassword.mismatch': 'De twee wachtwoorden zijn niet hetzelfde.',
  'newPassword.common': 'Dit wachtwoord is te gangbaar: het staat in lijsten met gelekte wachtwoorden.',
  'passkey.cancelled': 'De aanvraag voor de wachtwoordsleutel is geannuleerd of verlopen. Probeer het opnieuw.',
  'passkey.failed':
    'Uw browser kan hier geen wachtwoordsleutel gebruiken. Probeer het opnieuw of meld u op een andere manier aan.',
  'passkey.unsupported': 'Deze browser kan geen wachtwoordsleutels gebruiken.',
  'passkey.malformed': 'Uw browser heeft niet met een wachtwoordsleutel geantwoord. Probeer het opnieuw.',
  'passkey.challenge': 'Deze aanvraag voor een wachtwoordsleutel is verlopen of al gebruikt. Probeer het opnieuw.',
  'passkey.origin': 'Dit antwoord van de wachtwoordsleutel is voor een andere website gemaakt.',
  'passkey.rp_id': 'Deze wachtwoordsleutel hoort bij een andere website.',
  'passkey.unknown_credential':
    'Deze wachtwoordsleutel is niet geregistreerd bij Remote Help. Meld u aan met uw wachtwoord.',
  'passkey.other_account': 'Deze wachtwoordsleutel hoort bij een ander account.',
  'passkey.user_verification':
    'Uw wachtwoordsleutel heeft niet bevestigd dat u het bent (pincode of biometrie). Probeer het opnieuw.',
  'passkey.counter':
    'De handtekeningteller van deze wachtwoordsleutel is teruggelopen, dus de sleutel is mogelijk gekopieerd. Hij is niet geaccepteerd; neem contact op met uw beheerder.',
  'passkey.signature': 'De handtekening van de wachtwoordsleutel is ongeldig.',
  'passkey.already_added': 'Deze wachtwoordsleutel is al toegevoegd.',
  'gate.setupTitle': 'Meervoudige verificatie instellen',
  'gate.setupIntro':
    'Uw organisatie vereist voor deze app een tweede manier om te bewijzen dat u het bent. Het duurt een minuut.',
  'gate.stepInstall':
    'Installeer een verificator-app op uw telefoon (Microsoft Authenticator, Google Authenticator of een andere).',
  'gate.stepScan': 'Scan de QR-code ermee.',
  'gate.stepCode': 'Voer de 6-cijferige code in die de app weergeeft.',
  'gate.qrAlt': 'QR-code voor uw verificator-app',
  'gate.cantScan': 'Lukt scannen niet? Voer deze sleutel in de app in:',
  'gate.sameEntry': 'Gebruik de vermelding die u zojuist aan uw verificator-app hebt toegevoegd.',
  'gate.codeLabel': 'Code uit de app',
  'gate.codeWrong': 'Deze code is onjuist. Voer de 6-cijferige code in die de app nu weergeeft.',
  'gate.setupReplaced': 'Deze instelling is vervangen; begin opnieuw.',
  'gate.recoveryTitle': 'Uw herstelcodes opslaan',
  'gate.recoveryIntro':
    'Uw verificator-app is ingesteld. Als u uw telefoon kwijtraakt, kunt u zich met elk van deze codes één keer aanmelden. Bewaar ze op een veilige plek; ze worden niet opnieuw weergegeven.',
  'gate.continue': 'Doorgaan',
  'gate.blockedTitle': 'U hebt hier nu geen toegang toe',
  'gate.blockedBy': 'Geblokkeerd door het beleid voor voorwaardelijke toegang van uw organisatie: {policies}.',
  'gate.policyName': '‘{name}’',
  'gate.advice.block':
    'Uw organisatie staat niet toe dat u zich hier bij deze app aanmeldt. Als u denkt dat u deze nodig hebt, neem dan contact op met uw IT-beheerder.',
  'gate.advice.mfa':
    'Uw organisatie vereist meervoudige verificatie voor deze app. Uw IT-beheerder kan u helpen deze in te stellen.',
  'gate.advice.compliantDevice': 'Uw organisatie vereist een compatibel apparaat voor deze app.',
  'gate.advice.enrolledDevice':
    'Uw organisatie vereist voor deze app een apparaat dat in uw organisatie is ingeschreven.',
  'gate.advice.signInFrequency': 'Uw organisatie vraagt u zich opnieuw aan te melden.',
  'federation.emailIntro':
    'Voer uw werk-e-mailadres in. Als uw organisatie u zelf aanmeldt, gaat u daar hierna naartoe.',
  'federation.next': 'Volgende',
  'federation.emailMissing': 'Voer uw e-mailadres in.',
  'federation.refusedTitle': 'Aanmelding geweigerd',
  'federation.refusedHeading': 'We konden u niet aanmelden',
  'federation.errorCode': 'Foutcode: {code}',
  'federation.testTitle': 'Testaanmelding',
  'federation.testHeading': 'Testaanmelding: {provider}',
  'federation.testIntro': 'Niemand is aangemeld en er is niets gewijzigd.',
  'federation.testOk': 'Aanmelden werkt. Deze persoon zou worden aangemeld zoals weergegeven.',
  'federation.testClaims': 'Claims uit het id-token',
  'federation.error.federation_expired': 'Deze aanmeldingspagina is verlopen. Begin opnieuw.',
  'federation.error.federation_email_missing':
    '{provider} heeft geen e-mailadres verzonden (claim "{claim}"). Vraag uw beheerder de claimtoewijzing te controleren.',
  'federation.error.federation_email_outside_domains':
    '{email} hoort niet bij een domein van deze organisatie ({domains}).',
  'federation.error.federation_email_unverified_domain':
    '{email} hoort niet bij een geverifieerd domein van deze organisatie.',
  'federation.error.federation_email_taken': '{email} hoort al bij een ander account.',
  'federation.error.federation_account_disabled': 'Uw account is uitgeschakeld. Neem contact op met uw beheerder.',
  'federation.error.federation_signature_invalid':
    'Het aanmeldingstoken van {provider} heeft een ongeldige handtekening.',
  'federation.error.federation_issuer_mismatch':
    'Het aanmeldingstoken is niet uitgegeven door de geconfigureerde verlener van {provider}.',
  'federation.error.federation_audience_mismatch':
    'Het aanmeldingstoken van {provider} was bedoeld voor een andere toepassing.',
  'federation.error.federation_token_expired': 'Het aanmeldingstoken van {provider} is verlopen. Probeer het opnieuw.',
  'federation.error.federation_nonce_mismatch':
    'Het aanmeldingstoken van {provider} hoort niet bij deze aanmelding (nonce).',
  'federation.error.federation_state_mismatch':
    'Dit aanmeldingsantwoord hoort niet bij een aanmelding die in deze browser is gestart (state).',
  'federation.error.federation_state_replayed': 'Dit aanmeldingsantwoord is al gebruikt of verlopen. Begin opnieuw.',
  'federation.error.federation_provider_error': '{provider} heeft de aanmelding geweigerd: {detail}.',
  'federation.error.federation_provider_unreachable': '{provider} is niet bereikbaar of onjuist geconfigureerd.',
  'federation.error.federation_provider_missing': 'Deze id-provider bestaat niet meer.',
  'federation.error.federation_failed': 'Aanmelden met {provider} is mislukt: {detail}.',
  'federation.error.forbidden_manage': 'Met uw rol kunt u geen id-providers beheren.',
  'federation.error.forbidden_test': 'Meld u aan bij het beheercentrum om een provider te testen.',
  'federation.error.not_found': 'Id-provider niet gevonden.',
};
