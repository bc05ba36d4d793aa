/** @module identity/i18n/lv — the sign-in pages in Latvian (terms: web glossary `lv.json`). */
import type { Catalog } from './en.js';

export const lv: Catalog = {
  'signIn.title': 'Pierakstīties',
  'signIn.intro': 'Izmantojiet savas organizācijas kontu, lai turpinātu: {client}.',
  'signIn.agentClient': 'Remote Help programma',
  'signIn.email': 'E-pasts',
  'signIn.password': 'Parole',
  'signIn.submit': 'Pierakstīties',
  'signIn.or': 'vai',
  'signIn.passkey': 'Pierakstīties ar piekļuves atslēgu',
  'signIn.foot': 'Šo kontu pārvalda jūsu organizācija. Remote Help nekad neizpauž jūsu paroli palīgiem.',
  'signIn.missingFields': 'Ievadiet savu e-pasta adresi un paroli.',
  'signIn.wrongPassword': 'Nepareiza e-pasta adrese vai parole.',
  'signIn.wrongPasswordWait': 'Nepareiza e-pasta adrese vai parole. Mēģiniet vēlreiz pēc {duration}.',
  'signIn.disabled': 'Jūsu konts ir atspējots. Sazinieties ar administratoru.',
  'signIn.tooManyAttempts': 'Pārāk daudz mēģinājumu. Mēģiniet vēlreiz pēc {duration}.',
  'expired.title': 'Pierakstīšanās beidzās',
  'expired.heading': 'Šīs pierakstīšanās lapas derīgums ir beidzies',
  'expired.startAgain': 'Sākt no jauna',
  'providerError.title': 'Pierakstīšanās kļūda',
  'providerError.heading': 'Pierakstīšanās problēma',
  'common.backToRemoteHelp': 'Atpakaļ uz Remote Help',
  'mfa.title': 'Ievadiet kodu',
  'mfa.intro': 'Ievadiet 6 ciparu kodu, kas redzams jūsu autentifikatora programmā.',
  'mfa.code': 'Kods',
  'mfa.recoveryHint': 'Pazaudējāt tālruni? Tā vietā ievadiet kādu no saviem atkopšanas kodiem.',
  'mfa.verify': 'Verificēt',
  'mfa.usePasskey': 'Izmantot piekļuves atslēgu',
  'mfa.passkeyTitle': 'Izmantojiet savu piekļuves atslēgu',
  'mfa.passkeyIntro':
    'Apstipriniet, ka tas esat jūs, ar piekļuves atslēgu, ko pievienojāt savam kontam (tālrunis, drošības atslēga vai šī ierīce).',
  'mfa.codeMissing': 'Ievadiet kodu no autentifikatora programmas.',
  'mfa.codeWrong': 'Šis kods nav pareizs vai jau ir izmantots.',
  'mfa.codeWrongWait': 'Šis kods nav pareizs vai jau ir izmantots. Mēģiniet vēlreiz pēc {duration}.',
  'newPassword.title': 'Paroles atjaunināšana',
  'newPassword.intro': 'Administrators lūdza jums pirms turpināšanas izvēlēties jaunu paroli.',
  'newPassword.label': 'Jaunā parole',
  'newPassword.minLength': {
    zero: 'Izmantojiet vismaz {count} rakstzīmes.',
    one: 'Izmantojiet vismaz {count} rakstzīmi.',
    other: 'Izmantojiet vismaz {count} rakstzīmes.',
  },
  'newPassword.commonRefused': 'Bieži lietotas paroles no nopludinātu paroļu sarakstiem tiek noraidītas.',
  'newPassword.confirm': 'Apstiprināt paroli',
  'newPassword.mismatch': 'Abas paroles nesakrīt.',
  'newPassword.common': 'Šī parole ir pārāk izplatīta: tā ir atrodama nopludinātu paroļu sarakstos.',
  'passkey.cancelled': 'Piekļuves atslēgas pieprasījums tika atcelts vai tam iestājās noildze. Mēģiniet vēlreiz.',
  'passkey.failed':
    'Jūsu pārlūkprogramma šeit nevarēja izmantot piekļuves atslēgu. Mēģiniet vēlreiz vai pierakstieties citā veidā.',
  'passkey.unsupported': 'Šī pārlūkprogramma nevar izmantot piekļuves atslēgas.',
  'passkey.malformed': 'Jūsu pārlūkprogramma neatbildēja ar piekļuves atslēgu. Mēģiniet vēlreiz.',
  'passkey.challenge':
    'Šī piekļuves atslēgas pieprasījuma derīgums ir beidzies, vai tas jau ir izmantots. Mēģiniet vēlreiz.',
  'passkey.origin': 'Šī piekļuves atslēgas atbilde tika izveidota citai vietnei.',
  'passkey.rp_id': 'Šī piekļuves atslēga pieder citai vietnei.',
  'passkey.unknown_credential':
    'Šī piekļuves atslēga nav reģistrēta pakalpojumā Remote Help. Pierakstieties ar savu paroli.',
  'passkey.other_account': 'Šī piekļuves atslēga pieder citam kontam.',
  'passkey.user_verification':
    'Jūsu piekļuves atslēga nepārbaudīja, ka tas esat jūs (PIN kods vai biometrija). Mēģiniet vēlreiz.',
  'passkey.counter':
    'Šīs piekļuves atslēgas parakstu skaitītājs ir samazinājies, tāpēc tā, iespējams, ir nokopēta. Tā netika pieņemta; sazinieties ar administratoru.',
  'passkey.signature': 'Piekļuves atslēgas paraksts nav derīgs.',
  'passkey.already_added': 'Šī piekļuves atslēga jau ir pievienota.',
  'gate.setupTitle': 'Vairāku faktoru autentifikācijas iestatīšana',
  'gate.setupIntro':
    'Jūsu organizācija šai programmai pieprasa otru veidu, kā pierādīt, ka tas esat jūs. Tas aizņem minūti.',
  'gate.stepInstall':
    'Instalējiet tālrunī autentifikatora programmu (Microsoft Authenticator, Google Authenticator vai citu).',
  'gate.stepScan': 'Ar to noskenējiet QR kodu.',
  'gate.stepCode': 'Ievadiet 6 ciparu kodu, ko rāda programma.',
  'gate.qrAlt': 'QR kods jūsu autentifikatora programmai',
  'gate.cantScan': 'Nevarat noskenēt? Ievadiet programmā šo atslēgu:',
  'gate.sameEntry': 'Izmantojiet ierakstu, ko tikko pievienojāt autentifikatora programmai.',
  'gate.codeLabel': 'Kods no programmas',
  'gate.codeWrong': 'Šis kods nav pareizs. Ievadiet 6 ciparu kodu, ko programma rāda tagad.',
  'gate.setupReplaced': 'Šī iestatīšana tika aizstāta; sāciet no jauna.',
  'gate.recoveryTitle': 'Saglabājiet atkopšanas kodus',
  'gate.recoveryIntro':
    'Jūsu autentifikatora programma ir iestatīta. Ja pazaudēsiet tālruni, ar katru no šiem kodiem varēsiet pierakstīties vienu reizi. Glabājiet tos drošā vietā; tie vairs netiks parādīti.',
  'gate.continue': 'Turpināt',
  'gate.blockedTitle': 'Pašlaik jums nav piekļuves šim saturam',
  'gate.blockedBy': 'Bloķēja jūsu organizācijas nosacītās piekļuves politika: {policies}.',
  'gate.policyName': '“{name}”',
  'gate.advice.block':
    'Jūsu organizācija neļauj jums šeit pierakstīties šajā programmā. Ja jums tā ir nepieciešama, sazinieties ar IT administratoru.',
  'gate.advice.mfa':
    'Jūsu organizācija šai programmai pieprasa vairāku faktoru autentifikāciju. IT administrators var palīdzēt to iestatīt.',
  'gate.advice.compliantDevice': 'Jūsu organizācija šai programmai pieprasa atbilstošu ierīci.',
  'gate.advice.enrolledDevice': 'Jūsu organizācija šai programmai pieprasa jūsu organizācijā reģistrētu ierīci.',
  'gate.advice.signInFrequency': 'Jūsu organizācija lūdz jūs pierakstīties vēlreiz.',
  'federation.emailIntro':
    'Ievadiet savu darba e-pasta adresi. Ja pierakstīšanos veic jūsu organizācija, tālāk jūs tiksit novirzīts uz to.',
  'federation.next': 'Tālāk',
  'federation.emailMissing': 'Ievadiet savu e-pasta adresi.',
  'federation.refusedTitle': 'Pierakstīšanās noraidīta',
  'federation.refusedHeading': 'Mēs nevarējām jūs pierakstīt',
  'federation.errorCode': 'Kļūdas kods: {code}',
  'federation.testTitle': 'Testa pierakstīšanās',
  'federation.testHeading': 'Testa pierakstīšanās: {provider}',
  'federation.testIntro': 'Neviens netika pierakstīts, un nekas netika mainīts.',
  'federation.testOk': 'Pierakstīšanās darbojas. Šī persona tiktu pierakstīta, kā parādīts.',
  'federation.testClaims': 'ID marķiera prasības',
  'federation.error.federation_expired': 'Šīs pierakstīšanās lapas derīgums ir beidzies. Sāciet no jauna.',
  'federation.error.federation_email_missing':
    '{provider} nenosūtīja e-pasta adresi (prasība “{claim}”). Lūdziet administratoram pārbaudīt prasību kartēšanu.',
  'federation.error.federation_email_outside_domains': '{email} nav šīs organizācijas domēnā ({domains}).',
  'federation.error.federation_email_unverified_domain': '{email} nav šīs organizācijas verificētā domēnā.',
  'federation.error.federation_email_taken': '{email} jau pieder citam kontam.',
  'federation.error.federation_account_disabled': 'Jūsu konts ir atspējots. Sazinieties ar administratoru.',
  'federation.error.federation_signature_invalid':
    'Nodrošinātāja {provider} pierakstīšanās marķierim ir nederīgs paraksts.',
  'federation.error.federation_issuer_mismatch':
    'Pierakstīšanās marķieri neizdeva nodrošinātājam {provider} konfigurētais izdevējs.',
  'federation.error.federation_audience_mismatch':
    'Nodrošinātāja {provider} pierakstīšanās marķieris bija paredzēts citai lietojumprogrammai.',
  'federation.error.federation_token_expired':
    'Nodrošinātāja {provider} pierakstīšanās marķiera derīgums ir beidzies. Mēģiniet vēlreiz.',
  'federation.error.federation_nonce_mismatch':
    'Nodrošinātāja {provider} pierakstīšanās marķieris nepieder šai pierakstīšanās reizei (nonce).',
  'federation.error.federation_state_mismatch':
    'Šī pierakstīšanās atbilde nepieder pierakstīšanās reizei, kas sākta šajā pārlūkprogrammā (state).',
  'federation.error.federation_state_replayed':
    'Šī pierakstīšanās atbilde jau ir izmantota, vai tās derīgums ir beidzies. Sāciet no jauna.',
  'federation.error.federation_provider_error': '{provider} noraidīja pierakstīšanos: {detail}.',
  'federation.error.federation_provider_unreachable': '{provider} nav sasniedzams vai ir nepareizi konfigurēts.',
  'federation.error.federation_provider_missing': 'Šis identitātes nodrošinātājs vairs nepastāv.',
  'federation.error.federation_failed': 'Pierakstīšanās ar {provider} neizdevās: {detail}.',
  'federation.error.forbidden_manage': 'Jūsu loma neļauj pārvaldīt identitātes nodrošinātājus.',
  'federation.error.forbidden_test': 'Lai pārbaudītu nodrošinātāju, pierakstieties administrēšanas centrā.',
  'federation.error.not_found': 'Identitātes nodrošinātājs netika atrasts.',
};
