/*
 * A callback that fails says so, in French, instead of leaving the page as it was without a word (Dash's
 * renderer shows nothing outside debug mode). Every request of the renderer goes through window.fetch: an
 * answer of the server's refusals (401 signed out, 403, 400 after a new release), a server error or no answer
 * at all shows one message at the bottom of the screen (role="alert": read at once), closed by its button or
 * by the next answer that succeeds. The server's guard decides; this only tells the user.
 */
(function () {
    "use strict";

    var ROUTE = "/_dash-update-component";
    var BOX_ID = "pilote-erreur";

    function message(status) {
        if (status === 401) {
            return ["Votre session a pris fin : cette partie de la page n'a pas pu être mise à jour.",
                    "Se reconnecter", "/login?next=" + encodeURIComponent(location.pathname + location.search)];
        }
        if (status === 403) {
            return ["Vous n'avez pas accès à cette partie de la page.", null, null];
        }
        if (status === 400 || status === 404) {
            return ["La page n'est plus à jour par rapport au serveur : rechargez-la.", "Recharger",
                    location.href];
        }
        if (status === 413) {
            return ["Envoi trop volumineux : rien n'a été enregistré.", null, null];
        }
        if (status === 429) {
            return ["Trop de demandes en peu de temps : réessayez dans un instant.", null, null];
        }
        if (status === 0) {
            return ["Le serveur ne répond pas (réseau coupé ?) : cette partie de la page n'a pas été mise à jour.",
                    "Recharger", location.href];
        }
        return ["Une erreur du serveur a empêché la mise à jour de cette partie de la page. Réessayez dans un " +
                "instant ; si elle persiste, signalez-la.", null, null];
    }

    function show(status) {
        var texts = message(status), box = document.getElementById(BOX_ID);
        if (!box) {
            box = document.createElement("div");
            box.id = BOX_ID;
            box.className = "pilote-toast alert alert-danger";
            box.setAttribute("role", "alert");
            document.body.appendChild(box);
        }
        box.textContent = "";
        var text = document.createElement("span");
        text.textContent = texts[0] + " ";
        box.appendChild(text);
        if (texts[1]) {
            var link = document.createElement("a");
            link.href = texts[2];
            link.textContent = texts[1];
            link.className = "alert-link";
            box.appendChild(link);
        }
        var close = document.createElement("button");
        close.type = "button";
        close.className = "btn-close ms-2";
        close.setAttribute("aria-label", "Fermer ce message");
        close.addEventListener("click", hide);
        box.appendChild(close);
        box.setAttribute("data-status", String(status));
    }

    function hide() {
        var box = document.getElementById(BOX_ID);
        if (box && box.parentNode) { box.parentNode.removeChild(box); }
    }

    var original = window.fetch;
    if (typeof original !== "function") { return; }
    window.fetch = function (resource) {
        var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
        var answer = original.apply(this, arguments);
        if (url.indexOf(ROUTE) < 0) { return answer; }
        return answer.then(function (response) {
            if (response.status >= 400) { show(response.status); } else if (response.ok) { hide(); }
            return response;
        }, function (error) {
            if (!error || error.name !== "AbortError") { show(0); }
            throw error;
        });
    };
}());
