"""The app as gunicorn serves it in the benchmark: the real factory, with the sign-in rate
limit raised (every simulated employee signs in from 127.0.0.1; the limiter stays in place)."""
from trainer import create_app

app = create_app({"LOGIN_LIMIT_PER_ADDRESS": "100000/minute",
                  "LOGIN_LIMIT_PER_ACCOUNT": "100000/minute"})
