"""Train: pick a variant and a dataset, adjust settings, Start. The run trains in the background."""
import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.form_spec import advanced_fields, field_label, form_fields, main_fields
from dashboard.components.train_form import render_fields, typed_values
from dashboard.components.process_picker import pick_processes
from dashboard.components.upload_box import upload_box
from gancore import (ConfigError, DataConfig, config_errors, default_values, describe_device,
                     get_dataset_spec, get_variant_spec, list_datasets, list_variants)
from gancore.config import from_flat
from gancore.runs.meta import MAX_NAME
from gancore.training.lr_scaling import rates_words
from dashboard.components.owner import control_note, may_control
from dashboard.state import manager


def data_settings(flat: dict) -> DataConfig:
    return DataConfig(**{k: flat[k] for k in DataConfig.__dataclass_fields__})


def dataset_label(name: str) -> str:
    """The picker's entry: the name, and why it cannot be used with the data settings the form
    holds for it now (a folder typed or uploaded, the split), if so."""
    held = typed_values(form_fields(variant, name), default_values(variant, name), f"{variant}-{name}")
    why = get_dataset_spec(name).availability(data_settings({**default_values(variant, name), **held}))
    return f"{name}  ({why.message})" if why else name


st.title("Train a GAN")
st.write("A **generator** turns random noise (or a small picture to enlarge, or a sketch to "
         "translate) into samples; a **discriminator** learns to tell them from real data. They train against each "
         "other until the fakes look real. "
         "Pick what to train on and press **Start**: it trains in the background and you can "
         "watch it live.")

left, right = st.columns(2)
with left:
    variant = st.selectbox(field_label("variant"), list_variants(), index=list_variants().index("vanilla"),
                           key="variant")
    st.caption(get_variant_spec(variant).description)

vspec = get_variant_spec(variant)
fitting = [d for d in list_datasets() if get_dataset_spec(d).kind in vspec.data_kinds
           and (vspec.conditional != "always" or get_dataset_spec(d).labelled)]
with right:
    default_dataset = next((d for d in ("ring8", "glyphs", "sketch2glyphs") if d in fitting), fitting[0])
    # labelled here, in the run that sees the form's state: format_func may be called outside it
    labels = {name: dataset_label(name) for name in fitting}
    dataset = st.selectbox(field_label("dataset"), fitting, index=fitting.index(default_dataset), key=f"dataset-{variant}",
                           format_func=labels.__getitem__)
    dspec = get_dataset_spec(dataset)
    st.caption(dspec.description)
    dataset_slot = st.empty()

defaults = default_values(variant, dataset)
key_prefix = f"{variant}-{dataset}"  # new defaults when the variant or dataset changes
if dspec.uploads and may_control():
    upload_box(f"{key_prefix}-data_dir", paired=dspec.kind == "paired")
st.subheader("Settings")
values, slots = render_fields(main_fields(variant, dataset), defaults, key_prefix)
with st.expander("Advanced settings"):
    more, more_slots = render_fields(advanced_fields(variant, dataset), defaults, key_prefix)
    processes = pick_processes("processes")
values.update(more)
slots.update(more_slots)

flat = {**defaults, **values}
unavailable = dspec.availability(data_settings(flat))  # beside the setting in the way (Split, ...)
if unavailable:
    (slots.get(unavailable.field) or dataset_slot).warning(
        f"{field_label(unavailable.field)}: {unavailable.message}")

try:
    device_text = describe_device(flat["device"])
except ConfigError as exc:
    device_text = f"not available ({exc.message})"
st.info(f"Training will run on: **{device_text}**", icon=":material/memory:")
typed = from_flat(flat)  # lr_batch_scaling: the rates a valid config starts from
scaled = None if config_errors(typed) else rates_words(typed)
if scaled:
    st.caption(scaled[0].upper() + scaled[1:] + ".")

if not may_control():
    st.info(control_note())
    run_name = ""
else:
    run_name = st.text_input("Name this run (optional)", max_chars=MAX_NAME, key="run-name",
                             placeholder="e.g. first try on digits",
                             help="shown wherever the run is listed; you can change it later on Runs")
if may_control() and st.button("Start training", type="primary", icon=":material/play_arrow:"):
    cfg = from_flat(flat)
    errors = config_errors(cfg)
    if unavailable and unavailable.field not in errors:
        errors[unavailable.field] = unavailable.message
    for name, message in errors.items():
        (slots.get(name) or (dataset_slot if name in ("dataset", "variant") else st)).error(
            f"{field_label(name)}: {message}")
    if errors:
        st.error("Some settings need changing before training can start (see the red notes above).")
    else:
        with friendly_errors("Training could not start"):
            if processes > 1:  # torchrun in a child process; the Monitor follows it from disk
                with st.spinner(f"Starting {processes} processes..."):
                    run_id = manager().start_distributed(cfg, processes, name=run_name)
            else:
                run_id = manager().start(cfg, name=run_name).run_id
            st.switch_page("views/monitor.py", query_params={"run": run_id})
