"""``{% wallet_cards %}``: the wallet page's card, funding mode, automatic top-up and charges
(payouts.cards), drawn without the wallet's view importing the cards package."""

from django import template

from payouts.cards.context import wallet_card_context

register = template.Library()


@register.inclusion_tag("cards/_wallet_cards.html", takes_context=True)
def wallet_cards(context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        **wallet_card_context(request.user),
    }
