"""Field work: patrols, track points, violation cases, visits, photos, case counters.

Revision ID: ab23928e7875
Revises: f42670e7849c
Create Date: 2026-11-27 00:13:01.496434

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = 'ab23928e7875'
down_revision = 'f42670e7849c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_counters',
    sa.Column('prefix', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year')
    )
    op.create_geospatial_table('patrols',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_system', sa.Boolean(), nullable=False),
    sa.Column('track', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('track_length_m', sa.Float(), nullable=True),
    sa.Column('coverage', sa.Float(), nullable=True),
    sa.Column('points_used', sa.Integer(), nullable=False),
    sa.Column('points_rejected', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'ended')", name='ck_patrols_status'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['routes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_uuid')
    )
    with op.batch_alter_table('patrols', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_patrols_track', ['track'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_patrols_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrols_route_id'), ['route_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrols_started_at'), ['started_at'], unique=False)

    op.create_table('track_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patrol_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=False),
    sa.Column('usable', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrols.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('patrol_id', 'recorded_at', name='uq_track_points_patrol_time')
    )
    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_points_patrol_id'), ['patrol_id'], unique=False)

    op.create_geospatial_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('patrol_id', sa.Integer(), nullable=True),
    sa.Column('route_id', sa.Integer(), nullable=True),
    sa.Column('position', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_accuracy_m', sa.Float(), nullable=True),
    sa.Column('outside_ward', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('khu_vuc', sa.String(length=100), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('owner_phone', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=True),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('area_m2 IS NULL OR area_m2 >= 0', name='ck_violations_area'),
    sa.CheckConstraint('floors IS NULL OR floors >= 0', name='ck_violations_floors'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrols.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['routes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_uuid'),
    sa.UniqueConstraint('code', name='uq_violations_code')
    )
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_violations_position', ['position'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_violations_detected_at'), ['detected_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_patrol_id'), ['patrol_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_route_id'), ['route_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_stage'), ['stage'], unique=False)

    op.create_geospatial_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('patrol_id', sa.Integer(), nullable=True),
    sa.Column('violation_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('position', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('outside_ward', sa.Boolean(), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('nothing_wrong', 'violation_found', 'follow_up')", name='ck_visits_outcome'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrols.id'], ),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_uuid')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_visits_position', ['position'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_visits_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_patrol_id'), ['patrol_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_violation_id'), ['violation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_visited_at'), ['visited_at'], unique=False)

    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=False),
    sa.Column('violation_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('thumb_name', sa.String(length=80), nullable=False),
    sa.Column('media_type', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exif_lon', sa.Float(), nullable=True),
    sa.Column('exif_lat', sa.Float(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(violation_id IS NOT NULL) OR (visit_id IS NOT NULL)', name='ck_photos_owner'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_uuid'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_violation_id'), ['violation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_visit_id'), ['visit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_visit_id'))
        batch_op.drop_index(batch_op.f('ix_photos_violation_id'))
        batch_op.drop_index(batch_op.f('ix_photos_sha256'))

    op.drop_table('photos')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_visited_at'))
        batch_op.drop_index(batch_op.f('ix_visits_violation_id'))
        batch_op.drop_index(batch_op.f('ix_visits_patrol_id'))
        batch_op.drop_index(batch_op.f('ix_visits_inspector_id'))
        batch_op.drop_geospatial_index('idx_visits_position', postgresql_using='gist', column_name='position')

    op.drop_geospatial_table('visits')
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violations_stage'))
        batch_op.drop_index(batch_op.f('ix_violations_route_id'))
        batch_op.drop_index(batch_op.f('ix_violations_patrol_id'))
        batch_op.drop_index(batch_op.f('ix_violations_officer_id'))
        batch_op.drop_index(batch_op.f('ix_violations_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_violations_detected_at'))
        batch_op.drop_geospatial_index('idx_violations_position', postgresql_using='gist', column_name='position')

    op.drop_geospatial_table('violations')
    with op.batch_alter_table('track_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_points_patrol_id'))

    op.drop_table('track_points')
    with op.batch_alter_table('patrols', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrols_started_at'))
        batch_op.drop_index(batch_op.f('ix_patrols_route_id'))
        batch_op.drop_index(batch_op.f('ix_patrols_inspector_id'))
        batch_op.drop_geospatial_index('idx_patrols_track', postgresql_using='gist', column_name='track')

    op.drop_geospatial_table('patrols')
    op.drop_table('case_counters')
