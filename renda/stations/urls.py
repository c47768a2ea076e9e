app_name = "stations"

urlpatterns: list = []
