"""A synthetic data set for benchmarking the dashboard: feeds, articles, stories, assessments and tags, made up.

generate_dataset (devtools.dataset.load) plans the whole set with numpy from one seed (devtools.dataset.plan), writes
its words from templated sentences (devtools.dataset.writer) and loads it with COPY. The management command of the
same name is the way in.
"""
