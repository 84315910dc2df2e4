from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt

from accounts.admin_site import has_totp
from accounts.emails import Kind as EmailKind
from accounts.emails import read_unsubscribe_token, unsubscribe
from accounts.forms import AcceptDocumentsForm, EmailChoicesForm, PreferencesForm
from accounts.legal import accept_documents, current_document, documents_to_accept
from accounts.models import LegalDocument
from accounts.services import user_remember_language, user_update_preferences


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            user_update_preferences(
                user=user,
                display_name=form.cleaned_data["display_name"],
                monthly_emails=form.cleaned_data["monthly_emails"],
                language=form.cleaned_data["language"],
                public_flattrs=form.cleaned_data["public_flattrs"],
            )
            messages.success(request, _("Your settings were saved."))
            return redirect("account_settings")
    else:
        form = PreferencesForm(
            initial={
                "display_name": user.display_name,
                "monthly_emails": user.monthly_emails,
                "language": user.language,
                "public_flattrs": user.public_flattrs,
            }
        )
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "form_attrs": {"form": form}, "has_totp": has_totp(user)},
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher; a logged-in user's choice also becomes their e-mail language."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_remember_language(user=request.user, language=request.POST.get("language", ""))
    return response


# --- Terms of service and privacy policy -------------------------------------------------


def legal_document(request: HttpRequest, kind: str) -> HttpResponse:
    """The current version of a legal document (public), or an older one by ``?version=``."""
    if kind not in LegalDocument.Kind.values:
        raise Http404
    version = request.GET.get("version", "")
    if version:
        if not version.isdigit():
            raise Http404
        document = get_object_or_404(
            LegalDocument, kind=kind, version=int(version), published_at__isnull=False
        )
    else:
        document = current_document(kind)
        if document is None:
            raise Http404
    return render(request, "accounts/legal_document.html", {"document": document})


@login_required
def legal_accept(request: HttpRequest) -> HttpResponse:
    """Accept the versions published since the user last accepted (asked before any page)."""
    documents = documents_to_accept(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only (never a view name, another host or a scheme).
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}
    ):
        next_url = ""
    if not documents:
        return HttpResponseRedirect(next_url) if next_url else redirect("home")
    form = AcceptDocumentsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accept_documents(user=request.user, documents=documents)
        messages.success(request, _("Thank you: your acceptance was recorded."))
        return HttpResponseRedirect(next_url) if next_url else redirect("home")
    return render(
        request,
        "accounts/legal_accept.html",
        {"documents": documents, "form": form, "form_attrs": {"form": form}, "next": next_url},
    )


# --- E-mail choices and unsubscribing --------------------------------------------------


@login_required
def email_choices(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = EmailChoicesForm(request.POST)
        if form.is_valid():
            for field in EmailKind.FIELDS.values():
                setattr(user, field, form.cleaned_data[field])
            user.save(update_fields=list(EmailKind.FIELDS.values()))
            messages.success(request, _("Your e-mail choices were saved."))
            return redirect("email_choices")
    else:
        form = EmailChoicesForm(initial={f: getattr(user, f) for f in EmailKind.FIELDS.values()})
    return render(
        request, "accounts/email_choices.html", {"form": form, "form_attrs": {"form": form}}
    )


@csrf_exempt
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every optional e-mail. GET shows one button; POST (that button, or a mail
    program's RFC 8058 one-click request, which carries no cookie and no CSRF token: the
    signed link is the authority) turns that kind of e-mail off. Nothing else can be done
    with the link."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    user, kind = found
    done = False
    if request.method == "POST":
        unsubscribe(user, kind)
        done = True
    return render(
        request,
        "accounts/unsubscribe.html",
        {"kind_label": EmailKind.LABELS[kind], "done": done, "token": token},
    )
