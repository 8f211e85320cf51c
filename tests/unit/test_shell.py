"""The navbar is built from the page registry: new pages appear, internal ones are marked."""

from components.shell import is_public, nav_link, nav_pages


def page(name, path, order, access="public", nav=True):
    return {"name": name, "relative_path": path, "order": order, "access": access, "nav": nav}


REGISTRY = {
    "pages.flotte": page("Flotte", "/flotte", 60, access=["flotte"]),
    "pages.mobilite": page("Mobilité", "/mobilite", 20),
    "pages.home": page("Accueil", "/", 0, nav=False),
    "pages.climat": page("Climat", "/climat", 10),
}


def test_menu_lists_registry_pages_in_declared_order_without_hidden_ones():
    assert [p["name"] for p in nav_pages(REGISTRY)] == ["Climat", "Mobilité", "Flotte"]


def test_internal_pages_carry_the_colour_code_and_a_lock():
    public = nav_link(REGISTRY["pages.mobilite"], "?commune=92040")
    internal = nav_link(REGISTRY["pages.flotte"])
    assert "is-public" in public.className and public.href == "/mobilite?commune=92040"
    assert "is-internal" in internal.className
    assert not is_public(REGISTRY["pages.flotte"]) and is_public({"name": "x"})
    images = [c for c in internal.children if getattr(c, "src", None)]
    assert images and images[0].src.endswith("lock.svg") and images[0].alt == "Accès restreint"
    assert not [c for c in public.children if getattr(c, "src", None)]


def test_real_registry_pages_declare_valid_access():
    import dash

    import app  # noqa: F401  (registers the pages)
    from auth.access import normalise_access

    for module, entry in dash.page_registry.items():
        assert "access" in entry, f"{module} does not declare its access"
        normalise_access(entry["access"])  # raises on anything but public/authenticated/admin/[groups]
