"""The engine's endpoints: reference data and the working-day calendar."""

urlpatterns: list = []
