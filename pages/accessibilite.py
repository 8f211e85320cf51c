"""/accessibilite — déclaration d'accessibilité (RGAA 4.1)."""

import dash
from dash import dcc, html

from data_access.context import current

dash.register_page(__name__, path="/accessibilite", name="Accessibilité", title="Déclaration d'accessibilité",
                   nav=False, access="public", roles=[])  # reads no dataset


def contact():
    email = current().catalog.territory.contact_email
    return html.A(email, href=f"mailto:{email}") if email else "via le site internet de la collectivité"


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Déclaration d'accessibilité", className="h3"),
            html.P("Le territoire s'engage à rendre ses services numériques accessibles, conformément à "
                   "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique à "
                   "l'application de tableaux de bord Pilote."),
            html.H2("État de conformité", className="h5"),
            html.P(["Pilote est ", html.Strong("non conforme"), " au référentiel général d'amélioration de "
                    "l'accessibilité (RGAA), version 4.1 : aucun audit n'a encore été réalisé."]),
            html.H2("Mesures prises", className="h5"),
            html.Ul([
                html.Li("chaque graphique est accompagné d'une phrase qui en résume l'information ;"),
                html.Li("les états (à jour, périmé, interne) sont donnés par un texte, jamais par la seule couleur ;"),
                html.Li("les contrastes de couleur respectent le niveau AA ; un lien d'évitement mène au contenu ;"),
                html.Li("la langue de la page est déclarée (français) et la navigation au clavier est possible."),
            ]),
            html.H2("Vérifié automatiquement à chaque version", className="h5"),
            html.P("Avant chaque version, des tests ouvrent toutes les pages dans un navigateur, sans compte et "
                   "avec un compte, sur un écran de bureau (1 300 px) et de téléphone (390 px), et vérifient :"),
            html.Ul([
                html.Li("qu'axe-core (règles WCAG 2.1 et 2.2 de niveaux A et AA, sur lesquelles repose le RGAA) ne "
                        "relève aucune erreur grave ou critique : contrôles nommés, barres de progression "
                        "nommées, zones défilantes atteignables au clavier, contrastes, structure des titres ;"),
                html.Li("qu'aucune page ne défile horizontalement, qu'aucune légende ne recouvre les "
                        "graduations ni la barre d'outils d'un graphique et, sur téléphone, que les graduations "
                        "restent espacées et que chaque tableau se lit en lignes empilées, chaque valeur avec le "
                        "nom de sa colonne ;"),
                html.Li("que chaque carte montre tous ses points, à l'écran de bureau comme de téléphone, et "
                        "propose le tableau de ses points et son fichier CSV ;"),
                html.Li("que chaque graphique a sa phrase de résumé, un titre de page et un seul titre de "
                        "premier niveau."),
            ]),
            html.H2("Contenus non accessibles", className="h5"),
            html.Ul([
                html.Li("les cartes interactives ne sont pas utilisables au clavier : chacune a son tableau "
                        "de données « Voir les données » (un point par ligne, avec sa commune et sa position) et "
                        "son fichier CSV, et son contenu est résumé dans le texte qui l'accompagne ;"),
                html.Li("les valeurs d'un graphique ne sont restituées aux lecteurs d'écran que par son "
                        "tableau « Voir les données », quand il en a un ;"),
                html.Li("aucun audit manuel n'a été réalisé : les tests automatiques ne couvrent qu'une partie "
                        "des critères du RGAA."),
            ]),
            html.H2("Établissement de cette déclaration", className="h5"),
            html.P("Cette déclaration a été établie le 22 novembre 2026 et mise à jour le 2 décembre 2026 par "
                   "l'équipe qui développe Pilote."),
            html.H2("Retour d'information et contact", className="h5"),
            html.P(["Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le "
                    "responsable du service de données du territoire pour être orienté vers une alternative "
                    "accessible ou obtenir le contenu sous une autre forme, à l'adresse : ",
                    contact(), "."]),
            html.H2("Voies de recours", className="h5"),
            html.P("Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une "
                   "fonctionnalité, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse "
                   "de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine "
                   "au Défenseur des droits :"),
            html.Ul([
                html.Li("écrire un message au Défenseur des droits (formulaire en ligne sur son site) ;"),
                html.Li("contacter le délégué du Défenseur des droits dans votre région ;"),
                html.Li("envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des "
                        "droits, Libre réponse 71120, 75342 Paris CEDEX 07."),
            ]),
            dcc.Link("Revenir au catalogue", href="/"),
        ],
        id="accessibilite",
    )
