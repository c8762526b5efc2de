break exit sideways
