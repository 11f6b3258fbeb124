from django import forms

from .models import Frequency


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, initial=Frequency.IMMEDIATE, widget=forms.RadioSelect
    )
    record = forms.CharField(required=False, widget=forms.HiddenInput, max_length=140)
    search = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
