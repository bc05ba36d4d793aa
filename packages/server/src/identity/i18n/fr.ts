/** @module identity/i18n/fr — the sign-in pages in French (terms: web glossary `fr.json`). */
import type { Catalog } from './en.js';

export const fr: Catalog = {
  'signIn.title': 'Se connecter',
  'signIn.intro': 'Utilisez le compte de votre organisation pour continuer vers {client}.',
  'signIn.agentClient': "l'application Remote Help",
  'signIn.email': 'E-mail',
  'signIn.password': 'Mot de passe',
  'signIn.submit': 'Se connecter',
  'signIn.or': 'ou',
  'signIn.passkey': "Se connecter avec une clé d'accès",
  'signIn.foot':
    'Votre organisation gère ce compte. Remote Help ne communique jamais votre mot de passe aux personnes qui vous aident.',
  'signIn.missingFields': 'Entrez votre adresse e-mail et votre mot de passe.',
  'signIn.wrongPassword': 'Adresse e-mail ou mot de passe incorrect.',
  'signIn.wrongPasswordWait': 'Adresse e-mail ou mot de passe incorrect. Réessayez dans {duration}.',
  'signIn.disabled': 'Votre compte est désactivé. Contactez votre administrateur.',
  'signIn.tooManyAttempts': 'Trop de tentatives. Réessayez dans {duration}.',
  'expired.title': 'Connexion expirée',
  'expired.heading': 'Cette page de connexion a expiré',
  'expired.startAgain': 'Recommencer',
  'providerError.title': 'Erreur de connexion',
  'providerError.heading': 'Problème de connexion',
  'common.backToRemoteHelp': 'Retour à Remote Help',
  'mfa.title': 'Entrer le code',
  'mfa.intro': "Entrez le code à 6 chiffres affiché dans votre application d'authentification.",
  'mfa.code': 'Code',
  'mfa.recoveryHint': "Vous avez perdu votre téléphone ? Entrez plutôt l'un de vos codes de récupération.",
  'mfa.verify': 'Vérifier',
  'mfa.usePasskey': "Utiliser une clé d'accès",
  'mfa.passkeyTitle': "Utiliser votre clé d'accès",
  'mfa.passkeyIntro':
    "Confirmez votre identité avec une clé d'accès ajoutée à votre compte (votre téléphone, une clé de sécurité ou cet appareil).",
  'mfa.codeMissing': "Entrez le code de votre application d'authentification.",
  'mfa.codeWrong': 'Ce code est incorrect ou a déjà été utilisé.',
  'mfa.codeWrongWait': 'Ce code est incorrect ou a déjà été utilisé. Réessayez dans {duration}.',
  'newPassword.title': 'Modifier votre mot de passe',
  'newPassword.intro': 'Votre administrateur vous demande de choisir un nouveau mot de passe avant de continuer.',
  'newPassword.label': 'Nouveau mot de passe',
  'newPassword.minLength': {
    one: 'Utilisez au moins {count} caractère.',
    many: 'Utilisez au moins {count} de caractères.',
    other: 'Utilisez au moins {count} caractères.',
  },
  'newPassword.commonRefused':
    'Les mots de passe courants figurant dans des listes de mots de passe divulgués sont refusés.',
  'newPassword.confirm': 'Confirmer le mot de passe',
  'newPassword.mismatch': 'Les deux mots de passe ne sont pas identiques.',
  'newPassword.common': 'Ce mot de passe est trop courant : il figure dans des listes de mots de passe divulgués.',
  'passkey.cancelled': "La demande de clé d'accès a été annulée ou a expiré. Réessayez.",
  'passkey.failed':
    "Votre navigateur n'a pas pu utiliser de clé d'accès ici. Réessayez ou connectez-vous d'une autre manière.",
  'passkey.unsupported': "Ce navigateur ne peut pas utiliser de clés d'accès.",
  'passkey.malformed': "Votre navigateur n'a pas répondu avec une clé d'accès. Réessayez.",
  'passkey.challenge': "Cette demande de clé d'accès a expiré ou a déjà été utilisée. Réessayez.",
  'passkey.origin': "Cette réponse de clé d'accès a été créée pour un autre site web.",
  'passkey.rp_id': "Cette clé d'accès appartient à un autre site web.",
  'passkey.unknown_credential':
    "Cette clé d'accès n'est pas enregistrée dans Remote Help. Connectez-vous avec votre mot de passe.",
  'passkey.other_account': "Cette clé d'accès appartient à un autre compte.",
  'passkey.user_verification':
    "Votre clé d'accès n'a pas vérifié qu'il s'agit bien de vous (code PIN ou biométrie). Réessayez.",
  'passkey.counter':
    "Le compteur de signatures de cette clé d'accès a reculé : elle a peut-être été copiée. Elle n'a pas été acceptée ; contactez votre administrateur.",
  'passkey.signature': "La signature de la clé d'accès n'est pas valide.",
  'passkey.already_added': "Cette clé d'accès est déjà ajoutée.",
  'gate.setupTitle': "Configurer l'authentification multifacteur",
  'gate.setupIntro':
    'Votre organisation exige un deuxième moyen de prouver votre identité pour cette application. Cela prend une minute.',
  'gate.stepInstall':
    "Installez une application d'authentification sur votre téléphone (Microsoft Authenticator, Google Authenticator ou une autre).",
  'gate.stepScan': 'Scannez le code QR avec cette application.',
  'gate.stepCode': "Entrez le code à 6 chiffres affiché par l'application.",
  'gate.qrAlt': "Code QR pour votre application d'authentification",
  'gate.cantScan': "Impossible de le scanner ? Entrez cette clé dans l'application :",
  'gate.sameEntry': "Utilisez l'entrée que vous venez d'ajouter à votre application d'authentification.",
  'gate.codeLabel': "Code de l'application",
  'gate.codeWrong': "Ce code est incorrect. Entrez le code à 6 chiffres que l'application affiche maintenant.",
  'gate.setupReplaced': 'Cette configuration a été remplacée ; recommencez.',
  'gate.recoveryTitle': 'Enregistrez vos codes de récupération',
  'gate.recoveryIntro':
    "Votre application d'authentification est configurée. Si vous perdez votre téléphone, chacun de ces codes vous permet de vous connecter une fois. Conservez-les en lieu sûr ; ils ne seront plus affichés.",
  'gate.continue': 'Continuer',
  'gate.blockedTitle': 'Vous ne pouvez pas y accéder pour le moment',
  'gate.blockedBy': "Bloqué par la stratégie d'accès conditionnel de votre organisation : {policies}.",
  'gate.policyName': '« {name} »',
  'gate.advice.block':
    'Votre organisation ne vous permet pas de vous connecter à cette application ici. Si vous pensez en avoir besoin, contactez votre administrateur informatique.',
  'gate.advice.mfa':
    "Votre organisation exige l'authentification multifacteur pour cette application. Votre administrateur informatique peut vous aider à la configurer.",
  'gate.advice.compliantDevice': 'Votre organisation exige un appareil conforme pour cette application.',
  'gate.advice.enrolledDevice':
    'Votre organisation exige pour cette application un appareil inscrit dans votre organisation.',
  'gate.advice.signInFrequency': 'Votre organisation vous demande de vous reconnecter.',
  'federation.emailIntro':
    'Entrez votre adresse e-mail professionnelle. Si votre organisation gère votre connexion, vous y serez redirigé.',
  'federation.next': 'Suivant',
  'federation.emailMissing': 'Entrez votre adresse e-mail.',
  'federation.refusedTitle': 'Connexion refusée',
  'federation.refusedHeading': "Nous n'avons pas pu vous connecter",
  'federation.errorCode': "Code d'erreur : {code}",
  'federation.testTitle': 'Connexion de test',
  'federation.testHeading': 'Connexion de test : {provider}',
  'federation.testIntro': "Personne n'a été connecté et rien n'a été modifié.",
  'federation.testOk': 'La connexion fonctionne. Cette personne serait connectée comme indiqué.',
  'federation.testClaims': "Revendications du jeton d'ID",
  'federation.error.federation_expired': 'Cette page de connexion a expiré. Recommencez.',
  'federation.error.federation_email_missing':
    "{provider} n'a envoyé aucune adresse e-mail (revendication « {claim} »). Demandez à votre administrateur de vérifier le mappage des revendications.",
  'federation.error.federation_email_outside_domains':
    "{email} n'appartient à aucun domaine de cette organisation ({domains}).",
  'federation.error.federation_email_unverified_domain':
    "{email} n'appartient à aucun domaine vérifié de cette organisation.",
  'federation.error.federation_email_taken': '{email} appartient déjà à un autre compte.',
  'federation.error.federation_account_disabled': 'Votre compte est désactivé. Contactez votre administrateur.',
  'federation.error.federation_signature_invalid': 'Le jeton de connexion de {provider} a une signature non valide.',
  'federation.error.federation_issuer_mismatch':
    "Le jeton de connexion n'a pas été émis par l'émetteur configuré pour {provider}.",
  'federation.error.federation_audience_mismatch':
    'Le jeton de connexion de {provider} était destiné à une autre application.',
  'federation.error.federation_token_expired': 'Le jeton de connexion de {provider} a expiré. Réessayez.',
  'federation.error.federation_nonce_mismatch':
    'Le jeton de connexion de {provider} ne correspond pas à cette connexion (nonce).',
  'federation.error.federation_state_mismatch':
    'Cette réponse de connexion ne correspond à aucune connexion commencée dans ce navigateur (state).',
  'federation.error.federation_state_replayed':
    'Cette réponse de connexion a déjà été utilisée ou a expiré. Recommencez.',
  'federation.error.federation_provider_error': '{provider} a refusé la connexion : {detail}.',
  'federation.error.federation_provider_unreachable': '{provider} est injoignable ou mal configuré.',
  'federation.error.federation_provider_missing': "Ce fournisseur d'identité n'existe plus.",
  'federation.error.federation_failed': 'La connexion avec {provider} a échoué : {detail}.',
  'federation.error.forbidden_manage': "Votre rôle ne vous permet pas de gérer les fournisseurs d'identité.",
  'federation.error.forbidden_test': "Connectez-vous au centre d'administration pour tester un fournisseur.",
  'federation.error.not_found': "Fournisseur d'identité introuvable.",
  'signOut.title': 'Se déconnecter',
  'signOut.question': 'Voulez-vous vous déconnecter de Remote Help ?',
  'signOut.yes': 'Oui, me déconnecter',
  'signOut.no': 'Non, rester connecté',
  'signOut.doneTitle': 'Déconnecté',
  'signOut.done': 'Vous êtes déconnecté de Remote Help.',
};
